export { COLUMN_ALIASES, CUSTOMER_ID, findColumn, normalizeHeader, resolveColumns } from "./columns.ts";
export { isUnreadable, openCsv, type CsvSource, type UnreadableRecord } from "./reader.ts";
export { sniffCsv, DELIMITERS, type Delimiter } from "./sniff.ts";
