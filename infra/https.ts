import { api } from "./api";
import { settings } from "./settings";

/** AWS's managed CloudFront policies: no caching, every header/query/cookie to the origin, security headers (HSTS included). */
const CACHING_DISABLED = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad";
const ALL_VIEWER = "216adef6-5c7f-47e4-b989-5492eafa07d3";
const SECURITY_HEADERS = "67f7725c-6f97-4210-82d7-5512b31e9d03";
/** The only security policy CloudFront's `*.cloudfront.net` certificate takes. */
export const DEFAULT_CERTIFICATE_POLICY = "TLSv1";

/**
 * HTTPS for a stage without a domain (personal stages only: stacks/stages.ts requires one for
 * shared stages). CloudFront's default certificate serves `https://<id>.cloudfront.net` and
 * redirects plain HTTP; the load balancer behind it accepts only CloudFront's addresses. That
 * certificate also fixes the viewer TLS policy at TLSv1, which is one reason shared stages, where
 * customers connect, must have a domain (their load balancer: TLS 1.2 and 1.3 only). Returns the
 * URL the stage is used at.
 */
export function httpsUrl(): $util.Output<string> {
  if (settings.domain || $dev) return api.url.apply((url) => url.replace(/\/$/, ""));
  const distribution = new aws.cloudfront.Distribution("ApiHttps", {
    enabled: true,
    comment: `RetainWise API (${$app.stage}), HTTPS in front of the load balancer`,
    origins: [
      {
        originId: "api",
        domainName: api.nodes.loadBalancer.dnsName,
        // The load balancer has no certificate without a domain: this leg is HTTP inside AWS's network edge.
        customOriginConfig: {
          httpPort: 80,
          httpsPort: 443,
          originProtocolPolicy: "http-only",
          originSslProtocols: ["TLSv1.2"],
          originReadTimeout: 60,
        },
      },
    ],
    defaultCacheBehavior: {
      targetOriginId: "api",
      viewerProtocolPolicy: "redirect-to-https",
      allowedMethods: ["GET", "HEAD", "OPTIONS", "PUT", "POST", "PATCH", "DELETE"],
      cachedMethods: ["GET", "HEAD"],
      cachePolicyId: CACHING_DISABLED,
      originRequestPolicyId: ALL_VIEWER,
      responseHeadersPolicyId: SECURITY_HEADERS,
      compress: false,
    },
    // With its default certificate CloudFront applies the TLSv1 policy whatever is asked (any other
    // value only makes every deploy update the distribution): TLS 1.2+ needs a domain (docs/DEPLOY.md).
    viewerCertificate: { cloudfrontDefaultCertificate: true, minimumProtocolVersion: DEFAULT_CERTIFICATE_POLICY },
    restrictions: { geoRestriction: { restrictionType: "none" } },
    priceClass: "PriceClass_100",
  });
  return $interpolate`https://${distribution.domainName}`;
}
