// k6's newer WebSocket API with timers: the iteration lasts until the socket closes.
import { WebSocket } from 'k6/experimental/websockets';
import { setTimeout } from 'k6/timers';
import { check } from 'k6';

export const options = { vus: 1, iterations: 2 };

export default function () {
  const url = __ENV.BASE.replace('http://', 'ws://') + '/ws/echo';
  const ws = new WebSocket(url);
  let echoes = 0;
  ws.onopen = () => {
    ws.send('one');
    setTimeout(() => ws.send('two'), 50);
  };
  ws.onmessage = (e) => {
    echoes++;
    check(e, { 'an echo came back': (m) => m.data === 'one' || m.data === 'two' });
    if (echoes === 2) {
      ws.close();
    }
  };
  ws.onclose = () => {
    check(echoes, { 'both echoed before close': (n) => n === 2 });
  };
}
