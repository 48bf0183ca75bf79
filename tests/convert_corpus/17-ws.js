// k6/ws: connect, send, message handler, close from a timer.
import ws from 'k6/ws';
import { check } from 'k6';

export const options = { vus: 1, iterations: 2 };

export default function () {
  const url = __ENV.BASE.replace('http://', 'ws://') + '/ws/echo';
  let received = 0;
  const res = ws.connect(url, {}, function (socket) {
    socket.on('open', () => {
      socket.send('ping-1');
      socket.send('ping-2');
    });
    socket.on('message', (msg) => {
      received++;
      if (received === 2) socket.close();
    });
    socket.setTimeout(() => socket.close(), 2000);
  });
  check(res, {
    'upgraded': (r) => r && r.status === 101,
    'both echoed': () => received === 2,
  });
}
