// k6 twin of ws-broadcast.rhai (k6/ws; Date.now() has millisecond resolution).
import ws from 'k6/ws';
import { Counter, Trend } from 'k6/metrics';

const WS = __ENV.WS || 'ws://127.0.0.1:3000';
const HOLD_MS = parseInt(__ENV.HOLD_MS || '60000');
const INTERVAL_MS = __ENV.INTERVAL_MS || '1000';

const delivery = new Trend('delivery_ms', true);
const connectErrors = new Counter('ws_connect_errors');
const sessionErrors = new Counter('ws_session_errors');

export const options = {
  scenarios: {
    hold: {
      executor: 'per-vu-iterations',
      vus: parseInt(__ENV.VUS || '10000'),
      iterations: 1,
      maxDuration: '10m',
    },
  },
};

export default function () {
  let res;
  try {
    res = ws.connect(`${WS}/ws/broadcast?interval_ms=${INTERVAL_MS}`, null, function (socket) {
      socket.on('message', (text) => {
        const msg = JSON.parse(text);
        if (msg.type === 'BROADCAST') {
          delivery.add(Date.now() - msg.sent_at_ms);
        }
      });
      socket.on('error', () => sessionErrors.add(1));
      socket.setTimeout(() => socket.close(), HOLD_MS);
    });
  } catch (e) {
    res = null;
  }
  if (!res || res.status !== 101) {
    connectErrors.add(1);
  }
}
