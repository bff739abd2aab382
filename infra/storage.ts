import { settings } from "./settings";

/**
 * Uploads (`inputs/`) and scored results (`results/`). Private (SST blocks public access by
 * default), encrypted at rest, and both prefixes expire after the stage's retention.
 */
export const bucket = new sst.aws.Bucket("Uploads", {
  // No CORS: the web UI is served by the API itself and downloads are plain GETs of presigned URLs.
  cors: false,
  transform: {
    bucket: (args) => {
      args.forceDestroy = !settings.protect;
    },
  },
});

new aws.s3.BucketServerSideEncryptionConfiguration("UploadsEncryption", {
  bucket: bucket.name,
  rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" }, bucketKeyEnabled: true }],
});

new aws.s3.BucketLifecycleConfiguration("UploadsExpiry", {
  bucket: bucket.name,
  rules: ["inputs/", "results/"].map((prefix) => ({
    id: `expire-${prefix.replace("/", "")}`,
    status: "Enabled",
    filter: { prefix },
    expiration: { days: settings.retentionDays },
    abortIncompleteMultipartUpload: { daysAfterInitiation: 1 },
  })),
});
