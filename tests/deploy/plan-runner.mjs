// Evaluates the SST app's run() offline under Pulumi's mocks and prints every resource it would
// create (type, name, inputs) as JSON on stdout. SST's components reach the CLI over HTTP at
// SST_SERVER; a stub answers the one call this app makes (Provider.Aws.Bootstrap).
// Usage: node plan-runner.mjs <stage> <dev: true|false> [config, default sst.config.ts]   (run by plan.test.ts)
import { createServer } from "node:http";
import { mkdtempSync, writeFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { createRequire } from "node:module";

const [stage = "dev", dev = "false", config = "sst.config.ts"] = process.argv.slice(2);
const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const platform = join(root, ".sst", "platform");
const require = createRequire(join(platform, "package.json"));
const esbuild = require("esbuild");

const server = createServer((request, response) => {
  let body = "";
  request
    .on("data", (chunk) => (body += chunk))
    .on("end", () => {
      const { method, id } = JSON.parse(body);
      const result =
        method === "Provider.Aws.Bootstrap"
          ? {
              asset: "sst-asset-bootstrap",
              assetEcrRegistryId: "123456789012",
              assetEcrUrl: "123456789012.dkr.ecr.us-east-1.amazonaws.com/sst-asset",
              state: "sst-state",
              appsyncHttp: "",
              appsyncRealtime: "",
            }
          : method === "Runtime.Build"
            ? { handler: "index.handler", out: tmpdir(), sourcemaps: [], errors: [] }
            : undefined;
      response.writeHead(200, { "Content-Type": "application/json" });
      response.end(
        JSON.stringify(result === undefined ? { id, error: `rpc: can't find ${method}` } : { id, result, error: null }),
      );
    });
});
await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
process.env.SST_SERVER = `http://127.0.0.1:${server.address().port}`;
// Secret values reach components as SST_SECRET_<Name>; a plan needs only that they are set.
process.env.SST_SECRET_DownloadSigningKey = "plan-signing-key";
// `sst dev` reads the local database from DATABASE_URL (infra/database.ts).
if (dev === "true") process.env.DATABASE_URL = "postgres://postgres:dev-password@127.0.0.1:5432/retainwise";

const work = mkdtempSync(join(tmpdir(), "rw-plan-"));
const entry = join(platform, `rw-plan-entry-${process.pid}.mjs`);
writeFileSync(
  entry,
  `
import * as pulumi from "@pulumi/pulumi";
const resources = [];
pulumi.runtime.setMocks({
  newResource(args) {
    // A read (\`X.get(name, id)\`, e.g. sst.aws.Vpc.get): an existing resource, recorded as such.
    if (args.id) {
      resources.push({ type: args.type, name: args.name, inputs: args.inputs, read: true, id: args.id });
      return { id: args.id, state: { arn: args.id, name: args.id, ...args.inputs, ...existing(args.type, args.id) } };
    }
    resources.push({ type: args.type, name: args.name, inputs: args.inputs });
    const arn = "arn:aws:mock:us-east-1:123456789012:" + args.name;
    // Outputs AWS would compute, for the types whose outputs the components read.
    const computed = {
      "aws:rds/instance:Instance": { endpoint: args.name + ".mock.rds.amazonaws.com:5432", address: args.name + ".mock.rds.amazonaws.com", port: 5432 },
      "aws:lb/loadBalancer:LoadBalancer": { dnsName: args.name + ".mock.elb.amazonaws.com", zoneId: "Z0MOCK", arnSuffix: "app/" + args.name + "/0123456789abcdef" },
      "aws:sqs/queue:Queue": { url: "https://sqs.us-east-1.amazonaws.com/123456789012/" + args.name },
      "aws:acm/certificate:Certificate": { domainValidationOptions: [{ domainName: args.inputs.domainName, resourceRecordName: "_v." + args.inputs.domainName + ".", resourceRecordType: "CNAME", resourceRecordValue: "_v.acm-validations.aws." }] },
      "aws:acm/certificateValidation:CertificateValidation": { certificateArn: args.inputs.certificateArn },
      "pulumi-nodejs:dynamic:Resource": { zoneId: "Z0MOCKZONE" },
      "aws:cloudfront/distribution:Distribution": { domainName: "d111111abcdef8.cloudfront.net" },
      "aws:s3/bucket:Bucket": { bucket: args.inputs.bucket ?? args.inputs.bucketPrefix + "mock" },
    }[args.type] ?? {};
    return { id: args.name + "-id", state: { arn, name: args.name, url: "https://mock/" + args.name, id: args.name + "-id", ...computed, ...args.inputs } };
  },
  call(args) {
    // Lookups are recorded too (type "invoke"): which existing resources a stage depends on.
    resources.push({ type: "invoke", name: args.token, inputs: args.inputs });
    if (args.token.includes("getRegion")) return { name: "us-east-1", region: "us-east-1", id: "us-east-1" };
    if (args.token.includes("getAvailabilityZones")) return { names: ["us-east-1a", "us-east-1b", "us-east-1c"], zoneIds: ["use1-az1", "use1-az2", "use1-az3"] };
    if (args.token.includes("getCallerIdentity")) return { accountId: "123456789012", arn: "arn:aws:iam::123456789012:user/mock", userId: "mock" };
    if (args.token.includes("getPolicyDocument")) {
      const Statement = (args.inputs.statements ?? []).map((st) => ({ Effect: st.effect ?? "Allow", Action: st.actions, Resource: st.resources }));
      return { json: JSON.stringify({ Version: "2012-10-17", Statement }), statements: args.inputs.statements };
    }
    if (args.token.includes("getPartition")) return { partition: "aws", dnsSuffix: "amazonaws.com" };
    if (args.token === "aws:elb/getServiceAccount:getServiceAccount") return { id: "127311923021", arn: "arn:aws:iam::127311923021:root" };
    if (args.token.includes("getManagedPrefixList")) return { id: "pl-cloudfront", name: args.inputs.name };
    // The shared stage's network, as sst.aws.Vpc.get looks it up (infra/network.ts).
    if (args.token === "aws:ec2/getVpc:getVpc") return { id: "vpc-shared", tags: args.inputs.tags };
    if (args.token === "aws:ec2/getInternetGateway:getInternetGateway") return { internetGatewayId: "igw-shared" };
    if (args.token === "aws:ec2/getSecurityGroups:getSecurityGroups") return { ids: filterValue(args, "group-name") === "default" ? ["sg-shared-default"] : [] };
    if (args.token === "aws:ec2/getSubnets:getSubnets") {
      const kind = filterValue(args, "tag:Name") === "*Private*" ? "private" : "public";
      return { ids: [kind + "-subnet-shared-1", kind + "-subnet-shared-2"] };
    }
    if (args.token === "aws:ec2/getRouteTable:getRouteTable") return { routeTableId: "rtb-" + args.inputs.subnetId };
    if (args.token === "aws:ec2/getNatGateways:getNatGateways" || args.token === "aws:ec2/getInstances:getInstances") return { ids: [] };
    if (args.token === "aws:route53/getZone:getZone") return { zoneId: "ZSHARED", linkedServiceDescription: "arn:aws:servicediscovery:us-east-1:123456789012:namespace/ns-sharedmock" };
    return args.inputs;
  },
}, "retainwise", ${JSON.stringify(stage)}, false);
function filterValue(args, name) {
  return (args.inputs.filters ?? []).find((f) => f.name === name)?.values?.[0];
}
// What AWS holds for a resource another stage created: the tags SST's references check, the name in its ARN.
function existing(type, id) {
  if (type === "aws:ec2/vpc:Vpc") return { cidrBlock: "10.0.0.0/16", tagsAll: { "sst:app": "retainwise", "sst:stage": "shared", "sst:component-version": "2", "sst:ref-version": "2" } };
  if (type === "aws:ecs/cluster:Cluster") return { name: id.split("/").pop(), tagsAll: { "sst:app": "retainwise", "sst:stage": "shared", "sst:ref:version": "2.0" } };
  return {};
}
const stage = ${JSON.stringify(stage)};
globalThis.$app = { name: "retainwise", stage, removal: stage === "production" ? "retain" : "remove", protect: stage === "production", providers: { aws: {} } };
globalThis.$dev = ${dev === "true"};
// The app's root is its config's directory, as the SST CLI sets it (infra/ci is an app of its own).
globalThis.$cli = { command: globalThis.$dev ? "dev" : "deploy", rpc: process.env.SST_SERVER, paths: { home: ${JSON.stringify(work)}, root: ${JSON.stringify(dirname(join(root, config)))}, work: ${JSON.stringify(work)}, platform: ${JSON.stringify(platform)} }, state: { version: {} } };
globalThis.sst = await import("./src/components/index.ts");
globalThis.aws = await import("@pulumi/aws");
// What mocks do not see: resource options (ignoreChanges, dependsOn) and the inputs of SST's dev commands.
const options = {};
const recorded = [];
const app = (await import(${JSON.stringify(join(root, config))})).default;
// Inside a root stack, as the SST CLI runs it: stack transformations need one.
await pulumi.runtime.runInPulumiStack(async () => {
  pulumi.runtime.registerStackTransformation((input) => {
    if (input.opts.ignoreChanges) options[input.name] = { ignoreChanges: input.opts.ignoreChanges };
    // By name (Pulumi keeps a resource's name as \`__name\`): what must exist, or have run, first.
    const dependsOn = [input.opts.dependsOn ?? []].flat();
    if (dependsOn.length) options[input.name] = { ...options[input.name], dependsOn: dependsOn.map((r) => r.__name) };
    // The URN's type as the engine forms it (the parents' types, the root stack's left out, then its own): a
    // resource whose URN changes is deleted and created anew, as a replacement is, unless an alias names the old one.
    const types = [input.type];
    for (let parent = input.opts.parent; parent && parent.__pulumiType !== "pulumi:pulumi:Stack"; parent = parent.__parentResource) types.unshift(parent.__pulumiType);
    options[input.name] = { ...options[input.name], urnType: types.join("$"), aliases: (input.opts.aliases ?? []).length };
    return undefined;
  });
  $transform(sst.x.DevCommand, (args, _opts, name) => {
    recorded.push(new Promise((resolve) => pulumi.output(args).apply((inputs) => resolve({ type: "sst:sst:DevCommand", name, inputs }))));
  });
  await app.run();
});
// Resources register asynchronously after run() returns: wait for Pulumi's RPC queue to drain.
await pulumi.runtime.disconnect();
const devCommands = await Promise.all(recorded);
process.stdout.write(JSON.stringify([...resources.filter((r) => r.type !== "sst:sst:DevCommand" && r.type !== "pulumi:pulumi:Stack"), ...devCommands].map((r) => ({ ...r, options: options[r.name] }))));
`,
);
const bundle = join(platform, `rw-plan-bundle-${process.pid}.mjs`);
try {
  await esbuild.build({
    entryPoints: [entry],
    outfile: bundle,
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    packages: "external",
    inject: [join(platform, "src", "shim", "run.js")],
    banner: { js: "import { createRequire as __r } from 'module'; const require = __r(import.meta.url);" },
    logLevel: "error",
  });
  await import(pathToFileURL(bundle).href);
} finally {
  rmSync(entry, { force: true });
  rmSync(bundle, { force: true });
  rmSync(work, { recursive: true, force: true });
  server.close();
}
