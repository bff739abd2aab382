/**
 * The VPC. No NAT gateway: SST places Fargate services in public subnets with public IPs, so they
 * reach S3, SQS and ECR directly, and RDS sits in the private subnets, reachable only from inside.
 * A managed NAT gateway would cost ~$33/month per AZ plus $0.045/GB for nothing we need.
 */
export const vpc = new sst.aws.Vpc("Vpc", { az: 2 });
