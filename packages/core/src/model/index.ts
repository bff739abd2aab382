export * from "./card.ts";
export { loadModel } from "./churn-model.ts";
export type { ChurnModel, ModelInput, ModelOutput, LoadModelOptions } from "./churn-model.ts";
export * from "./term-model.ts";
