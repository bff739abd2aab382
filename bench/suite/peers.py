#!/usr/bin/python3
"""The peers of issue 21 on one table, on the fixed split of issue 10, and our test rows scored alike.

Usage: bench/suite/peers.py <labeled.csv> <label> <positive> [<ours.csv>]

Data rows are numbered from 1 in file order; row n is a test row when
int(md5(str(n)).hexdigest(), 16) % 5 == 0, else a training row. A row with a blank label is no
row of either (our reader skips it too) but keeps its number. Peers, default settings (Debian's
python3-sklearn 1.2 and python3-xgboost 1.7): HistGradientBoosting (native categoricals,
ordinal codes), LogisticRegression (one-hot, mean-imputed standardized numerics), XGBoost (one-hot,
blanks as NaN). <ours.csv> (row,probability) holds our model's probability for every test row,
written by bench/compare-sklearn.ts. Every metric is scikit-learn's, on the same test rows.
Prints one JSON line. Bench only: the product never runs Python.
"""
import hashlib
import json
import sys
import time

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import brier_score_loss, roc_auc_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, OrdinalEncoder, StandardScaler
from xgboost import XGBClassifier

# A text column with a distinct value in (nearly) every row identifies rows; peers get no ids.
ID_DISTINCT_SHARE = 0.95
# HistGradientBoosting's native categoricals take at most this many values (its max_bins).
HGB_MAX_CATEGORIES = 255


def main():
    path, label, positive = sys.argv[1:4]
    ours_path = sys.argv[4] if len(sys.argv) > 4 else None
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    raw_labels = frame[label].str.strip()
    if not (raw_labels == positive).any():
        raise SystemExit(f"no row of {path} has {label} = {positive!r}")
    labeled = (raw_labels != "").values
    y = (raw_labels == positive).astype(int).values
    test = labeled & np.array([is_test(n) for n in range(1, len(frame) + 1)])
    train = labeled & ~test

    features = frame.drop(columns=[label])
    numeric = [c for c in features.columns if features[c].str.strip().replace("", "nan").apply(is_number).all()]
    categorical = [c for c in features.columns if c not in numeric and features[c].nunique() < ID_DISTINCT_SHARE * len(frame)]
    X = features[numeric + categorical].copy()
    for c in numeric:
        X[c] = pd.to_numeric(X[c].str.strip().replace("", np.nan))

    peers = {
        "HistGradientBoosting": boosting(numeric, [c for c in categorical if X[c].nunique() <= HGB_MAX_CATEGORIES], [c for c in categorical if X[c].nunique() > HGB_MAX_CATEGORIES]),
        "LogisticRegression": logistic(numeric, categorical),
        "XGBoost": xgboost(numeric, categorical),
    }
    results = {name: fit_score(model, X, y, train, test) for name, model in peers.items()}
    if ours_path:
        ours = pd.read_csv(ours_path)
        if not np.array_equal(ours["row"].values, np.flatnonzero(test) + 1):
            raise SystemExit(f"{ours_path} does not hold the test rows of {path}")
        results["ours"] = scores(y[test], ours["probability"].values)
    print(json.dumps({"file": path, "rows": int(labeled.sum()), "inputs": len(numeric) + len(categorical), "train_rows": int(train.sum()), "test_rows": int(test.sum()), "positive_rate": round(float(y[labeled].mean()), 4), **results}))


def is_test(row):
    return int(hashlib.md5(str(row).encode()).hexdigest(), 16) % 5 == 0


def is_number(text):
    try:
        float(text)
        return True
    except ValueError:
        return False


def one_hot():
    return OneHotEncoder(handle_unknown="ignore", sparse_output=False)


def logistic(numeric, categorical):
    pre = ColumnTransformer([("num", make_pipeline(SimpleImputer(strategy="mean"), StandardScaler()), numeric), ("cat", one_hot(), categorical)])
    return make_pipeline(pre, LogisticRegression(max_iter=10_000))


def boosting(numeric, categorical, wide):
    # A categorical with more values than HGB takes enters as its ordinal code, like a number.
    pre = ColumnTransformer([("num", "passthrough", numeric), ("cat", ordinal(), categorical), ("wide", ordinal(), wide)])
    mask = [False] * len(numeric) + [True] * len(categorical) + [False] * len(wide)
    return make_pipeline(pre, HistGradientBoostingClassifier(categorical_features=mask))


def ordinal():
    return OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=np.nan)


def xgboost(numeric, categorical):
    # Dense output: in a sparse matrix XGBoost reads every absent cell (every 0) as missing.
    pre = ColumnTransformer([("num", "passthrough", numeric), ("cat", one_hot(), categorical)], sparse_threshold=0)
    return make_pipeline(pre, XGBClassifier())


def fit_score(model, X, y, train, test):
    started = time.perf_counter()
    model.fit(X[train], y[train])
    seconds = time.perf_counter() - started
    return {**scores(y[test], model.predict_proba(X[test])[:, 1]), "fit_seconds": round(seconds, 2)}


def scores(y, p):
    return {"auc": round(roc_auc_score(y, p), 4), "brier": round(brier_score_loss(y, p), 4)}


if __name__ == "__main__":
    main()
