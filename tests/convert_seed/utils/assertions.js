import { check } from 'k6';

/**
 * Assert response time is within target
 * @param {Response} response - HTTP response
 * @param {number} targetMs - Target time in ms
 * @param {string} operation - Operation name for logging
 */
export function assertResponseTime(response, targetMs, operation = 'request') {
  return check(response, {
    [`${operation} response time <${targetMs}ms`]: (r) =>
      r.timings.duration < targetMs,
  });
}

/**
 * Assert switchCycle performance
 * @param {Response} response - Switch cycle response
 */
export function assertSwitchCyclePerformance(response) {
  return check(response, {
    'switch cycle status 200': (r) => r.status === 200,
    'switch cycle response time <50ms': (r) => r.timings.duration < 50,
    'switch cycle returns session_id': (r) => {
      const body = JSON.parse(r.body);
      return body.session_id !== undefined;
    },
  });
}

/**
 * Assert WebSocket message delivery time
 * @param {number} deliveryTimeMs - Time from request to WebSocket message
 */
export function assertWebSocketDelivery(deliveryTimeMs) {
  return deliveryTimeMs < 100;
}

/**
 * Check for errors in response
 * @param {Response} response - HTTP response
 */
export function assertNoErrors(response) {
  return check(response, {
    'status is 2xx or 409': (r) =>
      (r.status >= 200 && r.status < 300) || r.status === 409,
    'no 5xx errors': (r) => r.status < 500,
  });
}

/**
 * Assert optimistic locking conflicts are acceptable
 * @param {Response} response - HTTP response
 * @param {number} maxConflictRate - Max acceptable conflict rate (0-1)
 */
export function assertOptimisticLocking(response, maxConflictRate = 0.1) {
  // 409 conflicts are expected and acceptable under concurrent load
  return check(response, {
    'status is 200 or 409 (optimistic lock conflict)': (r) =>
      r.status === 200 || r.status === 409,
  });
}
