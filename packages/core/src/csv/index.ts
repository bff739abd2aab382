export {
  closestHeaders,
  COLUMN_ALIASES,
  CUSTOMER_ID,
  findColumn,
  missingColumns,
  normalizeHeader,
  resolveColumns,
} from "./columns.ts";
export { isUnreadable, openCsv, type CsvSource, type UnreadableRecord } from "./reader.ts";
export { sniffCsv, DELIMITERS, type Delimiter } from "./sniff.ts";
export { detectNumberFormat, numberProblem, parseNumber, POINT_DECIMAL, type NumberFormat } from "./numbers.ts";
export { headRecords } from "./head-sample.ts";
export { checkColumnCount, DEFAULT_MAX_COLUMNS, headerRow, findLabelColumn, readHeader } from "./header.ts";
export { readHead, replay, type Head } from "./reader.ts";
