#!/usr/bin/python3
"""The bar of issue 10: RetainWise's model against scikit-learn on the SAME fixed 80/20 split.

Usage: bench/compare-sklearn.py <labeled.csv> <label> <ours.csv>

Rows are numbered from 1 in file order; a row is a test row when
int(md5(str(row)).hexdigest(), 16) % 5 == 0, else a training row. <ours.csv> (row,probability)
holds our model's churn probability for every test row, written by bench/compare-sklearn.ts after
training on the training rows only. scikit-learn (Debian's python3-sklearn, default settings)
fits HistGradientBoostingClassifier (native categoricals) and LogisticRegression (one-hot
categoricals, mean-imputed scaled numerics) on the same training rows; every metric is computed
by scikit-learn's own functions on the same test rows. Prints one JSON line. Bench only: the
product never runs Python.
"""
import hashlib
import json
import sys

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import brier_score_loss, roc_auc_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, OrdinalEncoder, StandardScaler

POSITIVE = ["Yes", "yes", "1", "true", "True", "TRUE"]
# A text column with a distinct value in (nearly) every row identifies customers; sklearn gets no ids.
ID_DISTINCT_SHARE = 0.95


def main():
    path, label, ours_path = sys.argv[1:4]
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    raw_labels = frame[label].str.strip()
    positive = next(p for p in POSITIVE if (raw_labels == p).any())
    y = (raw_labels == positive).astype(int).values
    test = np.array([int(hashlib.md5(str(row).encode()).hexdigest(), 16) % 5 == 0 for row in range(1, len(frame) + 1)])
    train = ~test

    features = frame.drop(columns=[label])
    numeric = [c for c in features.columns if features[c].str.strip().replace("", "nan").apply(is_number).all()]
    categorical = [c for c in features.columns if c not in numeric and features[c].nunique() < ID_DISTINCT_SHARE * len(frame)]
    X = features[numeric + categorical].copy()
    for c in numeric:
        X[c] = pd.to_numeric(X[c].str.strip().replace("", np.nan))

    ours = pd.read_csv(ours_path)
    assert (ours["row"].values == np.flatnonzero(test) + 1).all(), "ours.csv does not hold this file's test rows"
    results = {
        "HistGradientBoosting": fit_score(boosting(numeric, categorical), X, y, train, test),
        "LogisticRegression": fit_score(logistic(numeric, categorical), X, y, train, test),
        "RetainWise": scores(y[test], ours["probability"].values),
    }
    print(json.dumps({"file": path, "train_rows": int(train.sum()), "test_rows": int(test.sum()), "positive_rate": float(y.mean()), **results}))


def is_number(text):
    try:
        float(text)
        return True
    except ValueError:
        return False


def logistic(numeric, categorical):
    pre = ColumnTransformer(
        [
            ("num", make_pipeline(SimpleImputer(strategy="mean"), StandardScaler()), numeric),
            ("cat", OneHotEncoder(handle_unknown="ignore"), categorical),
        ]
    )
    return make_pipeline(pre, LogisticRegression())


def boosting(numeric, categorical):
    pre = ColumnTransformer(
        [
            ("num", "passthrough", numeric),
            ("cat", OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=np.nan), categorical),
        ]
    )
    mask = [False] * len(numeric) + [True] * len(categorical)
    return make_pipeline(pre, HistGradientBoostingClassifier(categorical_features=mask))


def fit_score(model, X, y, train, test):
    model.fit(X[train], y[train])
    return scores(y[test], model.predict_proba(X[test])[:, 1])


def scores(y, p):
    return {"auc": round(roc_auc_score(y, p), 4), "brier": round(brier_score_loss(y, p), 4)}


if __name__ == "__main__":
    main()
