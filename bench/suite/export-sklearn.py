#!/usr/bin/python3
"""Writes one of scikit-learn's bundled data sets (Debian's python3-sklearn) as a benchmark CSV.

Usage: bench/suite/export-sklearn.py <loader, e.g. load_breast_cancer> <label column> <out.csv>
The label is written as the class names the data set gives (malignant / benign), not codes.
"""
import sys

import sklearn.datasets


def main():
    loader, label, out = sys.argv[1:4]
    bunch = getattr(sklearn.datasets, loader)(as_frame=True)
    frame = bunch.frame.drop(columns=[bunch.target.name])
    frame[label] = [bunch.target_names[code] for code in bunch.target]
    frame.to_csv(out, index=False)


if __name__ == "__main__":
    main()
