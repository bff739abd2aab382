/** OpenAPI entries of the outcome, performance and insight routes (merged into docs.ts's document). */
export function outcomePaths(idParam: unknown[], errors: (...codes: number[]) => Record<string, unknown>): Record<string, unknown> {
  const json = (description: string) => ({ description, content: { "application/json": { schema: { type: "object" } } } });
  return {
    "/v1/outcomes": {
      post: {
        summary: "Upload what happened to customers: a CSV customer_id,churned[,observed_at]",
        description:
          "churned is yes/no/1/0/true/false; observed_at (ISO 8601) defaults to now and must not be in the future. Headers are matched like every upload (customerID, customer_id, Churn…), " +
          "or in the words of the account's READY models: a model's label column with its churned value (Exited, 1 = churned) and its identifier column (CLIENTNUM); GET /v1/outcomes lists every accepted name. " +
          "A label in words of its own (Attrited Customer) takes the file's one other value as stayed. `matched` says which columns were read and in whose words: {customerId, churned, observedAt, model, churnedValue, stayedValue}. " +
          "Streamed and validated row by row: bad rows are counted and listed, not fatal, but a file with no row accepted is 400 outcomes.none_accepted (details: rowErrors). Per customer the latest observation wins. Rows are saved in batches as they are read, " +
          "so a file refused halfway (e.g. an unclosed quote) keeps the batches before it; uploading the fixed file again is safe.",
        requestBody: { content: { "text/csv": { schema: { type: "string" } }, "multipart/form-data": { schema: { type: "object", properties: { file: { type: "string", format: "binary" } } } } } },
        responses: { 200: json("{uploadId, rowsRead, rowsAccepted, rowsRejected, rowsMatched, rowErrors[{row, reason}], matched}"), ...errors(400, 401, 413, 415) },
      },
      get: {
        summary: "How many customers have an outcome, how many churned, the latest observation, and the column names an upload may use",
        responses: { 200: json("{customers, churned, lastObservedAt, accepts: {customerId[], churned[], observedAt[], labels[{column, churnedValue, model}]}}"), ...errors(401) },
      },
    },
    "/v1/predictions/{id}/performance": {
      get: {
        summary: "Realized performance: how the prediction's probabilities matched outcomes observed after it was made",
        description:
          'status "ready": labeledRows, AUC with its DeLong 95% interval, Brier, calibration per decile, precision and lift in the top 10%/20%. ' +
          'status "not_enough_outcomes" until both classes have 30 labeled rows ("not enough outcomes yet (n of 30)"). ' +
          "challenger (null without ?challenger= at upload): {modelId, model, labeledRows, champion, challenger, aucDifference: {value, interval, method: \"paired DeLong\"}, better}, " +
          "both models measured on the same labeled customers; better is challenger or champion when the 95% interval of the AUC difference excludes 0, else no_clear_difference.",
        parameters: idParam,
        responses: { 200: json("The performance"), ...errors(400, 401, 404, 409) },
      },
    },
    "/v1/predictions/{id}/drift": {
      get: {
        summary: "Drift of the scored file from the model's training data: population stability index per input column, share of unseen categories",
        description:
          'While scoring, each input column is counted into the model\'s training bins (the card\'s binShares). status "measured": rows, flagged (columns with PSI > threshold, 0.2), ' +
          "columns[{name, label, psi, flagged, unseenShare (categorical columns: share of non-blank cells outside the model's categories; null for numbers), bins[{bin, expected, actual}]}]. " +
          'status "not_measured" with a message when the model\'s card has no training distribution (trained before drift was recorded; retrain it).',
        parameters: idParam,
        responses: { 200: json("The drift report"), ...errors(400, 401, 404, 409) },
      },
    },
    "/v1/predictions/{id}/promote-challenger": {
      post: {
        summary: "Promote the prediction's challenger: it becomes the account's default model (uploads without ?model= score with it)",
        parameters: idParam,
        responses: { 200: json("The challenger model, now the default"), ...errors(400, 401, 404, 409) },
      },
    },
    "/v1/models/{id}/performance": {
      get: {
        summary: "Realized performance of a model, pooled over the labeled customers of every prediction it scored (same shape as a prediction's, plus predictions), and drift of its latest files",
        description: "drift: up to 10 of its latest predictions with drift measured, newest first: {predictionId, inputFilename, predictedAt, rows, maxPsi, flaggedColumns}. /v1/models/{id}/performance.svg draws calibration and lift.",
        parameters: idParam,
        responses: { 200: json("The performance"), ...errors(400, 401, 404) },
      },
    },
    "/v1/predictions/{id}/train": {
      post: {
        summary: "Train a model on what happened: the prediction's input rows joined with their outcomes (label churned), named by ?name=",
        description:
          "Only rows whose customer has an outcome observed after the prediction; 400 model.not_enough_outcomes below 30 churned or 30 stayed. Answers like POST /v1/models (202, the model, Location). " +
          "`POST /v1/models?fromPrediction={id}&name=NAME` is the same request in its older form.",
        parameters: [...idParam, { name: "name", in: "query", required: true, schema: { type: "string" } }],
        responses: { 202: json("The model, QUEUED"), ...errors(400, 401, 404, 409) },
      },
    },
    "/v1/insights/trends": {
      get: {
        summary: "The account over time: uploads, mean churn probability, share High risk and realized AUC (where both classes have 30 labeled customers) per day or week",
        description: "from/to: dates or ISO 8601 times (default: the last 30 days; at most 366 days). bucket: day (default up to 62 days) or week. /v1/insights/trends.svg draws the same as a chart.",
        parameters: [
          { name: "from", in: "query", schema: { type: "string", format: "date-time" } },
          { name: "to", in: "query", schema: { type: "string", format: "date-time" } },
          { name: "bucket", in: "query", schema: { type: "string", enum: ["day", "week"] } },
        ],
        responses: { 200: json("{from, to, bucket, points[{start, end, uploads, rowsScored, meanProbability, highShare, realizedAuc, labeledRows}]}"), ...errors(400, 401) },
      },
    },
  };
}
