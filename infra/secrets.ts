/** Set per stage with `sst secret set DownloadSigningKey <value> --stage NAME` (docs/DEPLOY.md). */
export const downloadSigningKey = new sst.Secret("DownloadSigningKey");
/** The first admin key, minted into the database by an operator; kept out of the image and env files. */
export const bootstrapAdminKey = new sst.Secret("BootstrapAdminKey");
