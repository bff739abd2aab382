/**
 * What a scored file and its summary contain — columns, risk levels, summary types, the error
 * report — without the scorer itself (which loads onnxruntime): for readers of results like the API.
 */
export { OUTPUT_COLUMNS } from "./output.ts";
export { ERROR_REPORT_COLUMNS, errorReportPreview } from "./error-report.ts";
export { riskLevel, RISK_LEVELS, type RiskLevel } from "./risk.ts";
export type * from "./summary-types.ts";
export { ROW_ERRORS_KEPT } from "./summary.ts";
