# Writes one R package's data set as a benchmark CSV (header, comma separated, blank for NA, no
# row names), so the suite's tables come from Debian's r-cran-* packages and nowhere else.
# Usage: Rscript export.R <package> <dataset> <out.csv> <drop,cols|""> <R expression|""> <max rows>
# The expression runs inside the data frame (within()), for a label the package does not give as
# two classes (e.g. affairs counts). A table longer than <max rows> keeps evenly spaced rows, so
# the sample is the same on every machine without a random generator.
args <- commandArgs(trailingOnly = TRUE)
stopifnot(length(args) == 6)
env <- new.env()
data(list = args[2], package = args[1], envir = env)
frame <- as.data.frame(get(args[2], envir = env))
if (nzchar(args[5])) frame <- within(frame, eval(parse(text = args[5])))
drop <- strsplit(args[4], ",", fixed = TRUE)[[1]]
frame <- frame[, setdiff(names(frame), drop), drop = FALSE]
most <- as.integer(args[6])
if (nrow(frame) > most) frame <- frame[unique(round(seq(1, nrow(frame), length.out = most))), , drop = FALSE]
write.csv(frame, args[3], row.names = FALSE, na = "")
