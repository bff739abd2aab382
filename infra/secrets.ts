/**
 * Set per stage with `sst secret set DownloadSigningKey <value> --stage NAME` (docs/DEPLOY.md).
 * Deployed, it reaches the API only through an SSM SecureString parameter named in the task
 * definition's `secrets` (infra/access.ts), never as a plain environment variable.
 */
export const downloadSigningKey = new sst.Secret("DownloadSigningKey");

/** Not under `sst dev`: the local processes get the value directly (infra/access.ts). */
export const downloadSigningKeyParameter = $dev
  ? undefined
  : new aws.ssm.Parameter("DownloadSigningKeyParameter", {
      name: `/sst/${$app.name}/${$app.stage}/DownloadSigningKey`,
      type: "SecureString",
      value: downloadSigningKey.value,
    });
