// @ts-check
// Entry point of every page: guards pages behind sign-in, wires sign-out, runs the page's script.
import { redirectToSignIn, session } from "./api.js";
import { startModel } from "./model.js";
import { startModels } from "./models.js";
import { startOutcomes, startPerformance, startTrends } from "./outcomes.js";
import { startPrediction } from "./prediction.js";
import { startPredictions } from "./predictions.js";
import { startSignIn } from "./sign-in.js";
import { startTabs } from "./tabs.js";
import { startTrain } from "./train.js";
import { startUpload } from "./upload.js";

const PAGES = {
  "sign-in": startSignIn,
  upload: startUpload,
  predictions: startPredictions,
  prediction: startPrediction,
  models: startModels,
  model: startModel,
  train: startTrain,
  outcomes: startOutcomes,
};
/** What closing the loop adds to existing pages (outcomes.js). */
const EXTRAS = { predictions: startTrends, prediction: startPerformance };

const page = /** @type {keyof PAGES} */ (document.body.dataset.page);
if (page !== "sign-in" && !session.key()) {
  redirectToSignIn();
} else {
  document.getElementById("sign-out")?.addEventListener("click", () => {
    session.signOut();
    location.assign("/sign-in?signedOut=1");
  });
  startTabs();
  PAGES[page]?.();
  EXTRAS[/** @type {keyof EXTRAS} */ (page)]?.();
}
