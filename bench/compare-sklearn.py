#!/usr/bin/python3
"""Compare RetainWise's trained model with scikit-learn on the SAME held-out rows.

Usage: bench/compare-sklearn.py <labeled.csv> <split.csv> [--label Churn] [--seed 42]

<split.csv> is written by `retainwise train ... --split-out` (row,id,part,probability): the rows
marked `heldout` are scored, the others train. Our model's held-out probabilities come from that
file, so every metric below is computed by scikit-learn's own functions on identical rows.
Bench only: the product never runs Python.
"""
import argparse
import json
import time

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression, LogisticRegressionCV
from sklearn.metrics import accuracy_score, brier_score_loss, log_loss, roc_auc_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, OrdinalEncoder, StandardScaler


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("csv")
    parser.add_argument("split")
    parser.add_argument("--label", default="Churn")
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()

    frame = pd.read_csv(args.csv, dtype=str, keep_default_na=False)
    split = pd.read_csv(args.split, dtype={"id": str}, keep_default_na=False)
    assert len(split) == len(frame), "split file does not belong to this CSV"
    assert (split["id"].values == frame["customerID"].values).all(), "split ids do not match the CSV rows"

    y = (frame[args.label].str.strip() == "Yes").astype(int).values
    features = frame.drop(columns=[args.label, "customerID"])
    numeric = [c for c in features.columns if features[c].str.strip().replace("", "nan").apply(is_number).all()]
    categorical = [c for c in features.columns if c not in numeric]
    X = features.copy()
    for c in numeric:
        X[c] = pd.to_numeric(X[c].str.strip().replace("", np.nan))
    heldout = (split["part"] == "heldout").values
    train = ~heldout

    candidates = {
        "sklearn LogisticRegression (C=1)": logistic(numeric, categorical, LogisticRegression(C=1.0, max_iter=5000)),
        "sklearn LogisticRegressionCV (C by 5-fold log loss)": logistic(
            numeric, categorical, LogisticRegressionCV(Cs=20, cv=5, scoring="neg_log_loss", max_iter=5000)
        ),
        "sklearn HistGradientBoosting (defaults)": boosting(numeric, categorical, {}, args.seed),
        "sklearn HistGradientBoosting (lr 0.05, 8 leaves, l2 1)": boosting(
            numeric, categorical, {"learning_rate": 0.05, "max_leaf_nodes": 8, "l2_regularization": 1.0}, args.seed
        ),
    }
    results = {}
    for name, model in candidates.items():
        started = time.perf_counter()
        model.fit(X[train], y[train])
        seconds = time.perf_counter() - started
        results[name] = metrics(y[heldout], model.predict_proba(X[heldout])[:, 1]) | {"fit_seconds": round(seconds, 3)}
    ours = pd.to_numeric(split.loc[heldout, "probability"]).values
    results["retainwise additive logistic (this repo)"] = metrics(y[heldout], ours)

    print(f"held-out rows: {heldout.sum()}  training rows: {train.sum()}")
    print(f"{'model':58} {'AUC':>7} {'Brier':>7} {'acc':>7} {'logloss':>8}")
    for name, m in results.items():
        print(f"{name:58} {m['auc']:7.4f} {m['brier']:7.4f} {m['accuracy']:7.4f} {m['log_loss']:8.4f}")
    print(json.dumps(results))


def is_number(text):
    try:
        float(text)
        return True
    except ValueError:
        return False


def logistic(numeric, categorical, estimator):
    pre = ColumnTransformer(
        [
            ("num", make_pipeline(SimpleImputer(strategy="mean"), StandardScaler()), numeric),
            ("cat", OneHotEncoder(handle_unknown="ignore"), categorical),
        ]
    )
    return make_pipeline(pre, estimator)


def boosting(numeric, categorical, params, seed):
    pre = ColumnTransformer(
        [
            ("num", "passthrough", numeric),
            ("cat", OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=np.nan), categorical),
        ]
    )
    mask = [False] * len(numeric) + [True] * len(categorical)
    return make_pipeline(pre, HistGradientBoostingClassifier(categorical_features=mask, random_state=seed, **params))


def metrics(y, p):
    return {
        "auc": roc_auc_score(y, p),
        "brier": brier_score_loss(y, p),
        "accuracy": accuracy_score(y, p >= 0.5),
        "log_loss": log_loss(y, p),
    }


if __name__ == "__main__":
    main()
