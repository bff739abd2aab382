export { COLUMN_ALIASES, CUSTOMER_ID, normalizeHeader, resolveColumns } from "./columns.ts";
export { openCsv, type CsvSource } from "./reader.ts";
export { sniffCsv, DELIMITERS, type Delimiter } from "./sniff.ts";
