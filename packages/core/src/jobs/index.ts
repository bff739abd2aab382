export * from "./prediction.ts";
