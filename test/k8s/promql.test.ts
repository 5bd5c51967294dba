import { describe, expect, it } from 'vitest';
import { exportedMetricNames, metricNames, templateQueryMetrics } from './promql';

describe('metricNames', () => {
  it('finds the metrics and skips functions, keywords, labels, ranges, numbers and Grafana variables', () => {
    expect(
      metricNames(
        'sum by (namespace, code) (increase(kada_a_total{outcome="failed", x=~"a|b"}[1h])) > 5 ' +
          'or absent(up{job="kada"}) and on (pod) kada_b offset 5m',
      ),
    ).toEqual(['kada_a_total', 'kada_b', 'up']);
    expect(metricNames('time() - max by (namespace) (kada_c_seconds) > 26 * 3600')).toEqual(['kada_c_seconds']);
    expect(
      metricNames(
        'histogram_quantile(0.99, sum by (le) (rate(kada_d_bucket{namespace="$namespace"}[$__rate_interval])))',
      ),
    ).toEqual(['kada_d_bucket']);
    expect(metricNames('min(kada_e) - time() < 21 * 86400 unless kada_f == bool 1e3')).toEqual(['kada_e', 'kada_f']);
  });

  it('reads the metric of a label_values() template query', () => {
    expect(templateQueryMetrics('label_values(kada_build_info, namespace)')).toEqual(['kada_build_info']);
    expect(templateQueryMetrics('label_values(kada_x{a="b"}, pod)')).toEqual(['kada_x']);
  });
});

describe('exportedMetricNames', () => {
  it('lists every TYPE, with the series of histograms and summaries', () => {
    const text = [
      '# HELP a_total x',
      '# TYPE a_total counter',
      '# TYPE h_seconds histogram',
      'h_seconds_bucket{le="1"} 0',
      '# TYPE s summary',
      '# TYPE g gauge',
    ].join('\n');
    expect([...exportedMetricNames(text)].sort()).toEqual(
      [
        'a_total',
        'g',
        'h_seconds',
        'h_seconds_bucket',
        'h_seconds_count',
        'h_seconds_sum',
        's',
        's_count',
        's_sum',
      ].sort(),
    );
  });
});
