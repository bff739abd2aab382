export * from "./embedded-postgres.ts";
export * from "./file-object-store.ts";
export * from "./signed-download.ts";
export * from "./secret-file.ts";
