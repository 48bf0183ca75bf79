/**
 * Performance thresholds for all load tests
 * Based on SyncKairos v2.0 performance targets
 */
export const thresholds = {
  // HTTP request duration
  http_req_duration: [
    'p(95)<100', // 95% of requests under 100ms
    'p(99)<250', // 99% of requests under 250ms
  ],

  // Switch cycle specific (hot path)
  'http_req_duration{operation:switchCycle}': [
    'p(50)<10', // 50% under 10ms
    'p(95)<50', // 95% under 50ms (CRITICAL)
    'p(99)<100', // 99% under 100ms
  ],

  // WebSocket delivery time
  'websocket_delivery_time': [
    'p(95)<100', // 95% under 100ms (CRITICAL)
  ],

  // Error rate
  http_req_failed: [
    'rate<0.01', // Error rate below 1%
  ],

  // Request rate
  http_reqs: [
    'rate>100', // At least 100 requests per second
  ],

  // Iteration duration (end-to-end test time)
  iteration_duration: [
    'p(95)<5000', // 95% of iterations under 5 seconds
  ],
};

/**
 * Get thresholds for specific scenario
 * @param {string} scenario - Scenario name
 * @returns {Object} - Thresholds configuration
 */
export function getThresholds(scenario) {
  const scenarioThresholds = {
    baseline: thresholds,
    '1k-concurrent': {
      ...thresholds,
      http_reqs: ['rate>500'], // Higher request rate for concurrent
    },
    '10k-concurrent': {
      ...thresholds,
      http_reqs: ['rate>1000'], // Very high request rate
      'http_req_duration{operation:switchCycle}': [
        'p(50)<15', // Allow slightly higher latency under extreme load
        'p(95)<50', // Still must meet 50ms target
        'p(99)<100',
      ],
    },
    'high-frequency': {
      ...thresholds,
      'http_req_duration{operation:switchCycle}': [
        'p(50)<5', // Very fast for high-frequency
        'p(95)<50',
        'p(99)<100',
      ],
    },
    'websocket-stress': {
      ...thresholds,
      'websocket_delivery_time': [
        'p(50)<50', // 50% under 50ms
        'p(95)<100', // 95% under 100ms (CRITICAL)
        'p(99)<250',
      ],
    },
    sustained: {
      ...thresholds,
      http_req_failed: ['rate<0.005'], // Even lower error rate for sustained
    },
  };

  return scenarioThresholds[scenario] || thresholds;
}
