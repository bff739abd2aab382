import { NETWORK_STAGE } from "../stacks/stages";
import { settings } from "./settings";

/**
 * The VPC. No NAT gateway: SST places Fargate services in public subnets with public IPs, so they
 * reach S3, SQS and ECR directly, and RDS sits in the private subnets, reachable only from inside.
 * A managed NAT gateway would cost ~$33/month per AZ plus $0.045/GB for nothing we need.
 *
 * Production and staging own theirs. Personal and preview stages share the `shared` stage's
 * (stacks/stages.ts), found by the `sst:app` / `sst:stage` tags SST's provider puts on everything
 * it creates: a VPC per stage would hit AWS's default 5-VPC quota at the third preview. Deploy
 * `shared` once per account before any such stage (docs/DEPLOY.md, "Shared network").
 */
export const vpc =
  settings.network === "shared"
    ? sst.aws.Vpc.get("Vpc", aws.ec2.getVpcOutput({ tags: { "sst:app": $app.name, "sst:stage": NETWORK_STAGE } }).id)
    : new sst.aws.Vpc("Vpc", { az: 2 });
