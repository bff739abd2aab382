#!/usr/bin/python3
"""The script a data analyst would write instead of `retainwise score`, as the peer in bench/score.mjs.

Usage: bench/pandas-score.py <input.csv> <output.csv> [training.csv]

Fits scikit-learn's LogisticRegression (one-hot categoricals, scaled numerics, blanks imputed) on
the Telco fixture, then pandas `read_csv` the whole input, `predict_proba`, and `to_csv` of id,
probability and risk level. No reasons: that is work it does not do. Bench only: the product never
runs Python (Debian: apt-get install -y python3-pandas python3-sklearn).
"""
import sys
import time

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

NUMERIC = ["SeniorCitizen", "tenure", "MonthlyCharges", "TotalCharges"]
CATEGORICAL = ["gender", "Partner", "Dependents", "PhoneService", "MultipleLines", "InternetService", "OnlineSecurity", "OnlineBackup",
               "DeviceProtection", "TechSupport", "StreamingTV", "StreamingMovies", "Contract", "PaperlessBilling", "PaymentMethod"]


def main():
    source, target = sys.argv[1], sys.argv[2]
    training = sys.argv[3] if len(sys.argv) > 3 else "tests/fixtures/telco-churn.csv"
    started = time.perf_counter()
    train = pd.read_csv(training, skipinitialspace=True, na_values=[" "])
    model = make_pipeline(
        ColumnTransformer([
            ("numeric", make_pipeline(SimpleImputer(), StandardScaler()), NUMERIC),
            ("categorical", OneHotEncoder(handle_unknown="ignore"), CATEGORICAL),
        ]),
        LogisticRegression(max_iter=1000),
    ).fit(train[NUMERIC + CATEGORICAL], train["Churn"] == "Yes")
    fitted = time.perf_counter()

    frame = pd.read_csv(source, skipinitialspace=True, na_values=[" "])
    probability = model.predict_proba(frame[NUMERIC + CATEGORICAL])[:, 1]
    pd.DataFrame({
        "customer_id": frame["customerID"],
        "churn_probability": probability.round(4),
        "risk_level": np.select([probability >= 0.5, probability >= 0.25], ["High", "Medium"], "Low"),
    }).to_csv(target, index=False, float_format="%.4f")
    print(f"fit {fitted - started:.2f} s, score {time.perf_counter() - fitted:.2f} s", file=sys.stderr)


if __name__ == "__main__":
    main()
