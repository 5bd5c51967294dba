import { z } from 'zod';

/**
 * The Prometheus Operator objects k8s/monitoring uses, checked as the operator's CRDs define them
 * (kubernetes-models has no models for them). Only the fields kada sets are allowed (strict), with the
 * CRDs' types, required fields and patterns, from the API reference:
 * https://prometheus-operator.dev/docs/api-reference/api/#monitoring.coreos.com/v1.PodMonitor and
 * https://prometheus-operator.dev/docs/api-reference/api/#monitoring.coreos.com/v1.PrometheusRule
 */

/** monitoring.coreos.com/v1 Duration: the CRDs' pattern for `interval`, `scrapeTimeout` and a rule's `for`. */
const duration = z
  .string()
  .regex(/^(0|(([0-9]+)y)?(([0-9]+)w)?(([0-9]+)d)?(([0-9]+)h)?(([0-9]+)m)?(([0-9]+)s)?(([0-9]+)ms)?)$/);

const labels = z.record(z.string(), z.string());
const metadata = z
  .object({ name: z.string().min(1), namespace: z.string().min(1), labels: labels.optional() })
  .strict();

const podMonitor = z
  .object({
    apiVersion: z.literal('monitoring.coreos.com/v1'),
    kind: z.literal('PodMonitor'),
    metadata,
    spec: z
      .object({
        jobLabel: z.string().min(1).optional(),
        selector: z.object({ matchLabels: labels }).strict(),
        podMetricsEndpoints: z
          .array(
            z
              .object({
                port: z.string().min(1),
                path: z.string().startsWith('/'),
                interval: duration,
                scrapeTimeout: duration,
                authorization: z
                  .object({
                    type: z.literal('Bearer'),
                    credentials: z.object({ name: z.string().min(1), key: z.string().min(1) }).strict(),
                  })
                  .strict(),
              })
              .strict(),
          )
          .min(1),
      })
      .strict(),
  })
  .strict();

const rule = z
  .object({
    alert: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/),
    expr: z.string().min(1),
    for: duration.optional(),
    labels: z.object({ severity: z.enum(['critical', 'warning', 'info']) }).strict(),
    annotations: z
      .object({ summary: z.string().min(1), description: z.string().min(1), runbook_url: z.url() })
      .strict(),
  })
  .strict();

const prometheusRule = z
  .object({
    apiVersion: z.literal('monitoring.coreos.com/v1'),
    kind: z.literal('PrometheusRule'),
    metadata,
    spec: z
      .object({ groups: z.array(z.object({ name: z.string().min(1), rules: z.array(rule).min(1) }).strict()).min(1) })
      .strict(),
  })
  .strict();

export type PrometheusRuleObject = z.infer<typeof prometheusRule>;

export const CRD_SCHEMAS: Record<string, z.ZodType> = {
  'monitoring.coreos.com/v1/PodMonitor': podMonitor,
  'monitoring.coreos.com/v1/PrometheusRule': prometheusRule,
};
