// A timer's callback that clears the timer through the const it initialises, in the iteration
// and in a WebSocket handler (Rhai: `let id = (); id = setInterval(…)`).
import { WebSocket } from 'k6/experimental/websockets';
import { setInterval, clearInterval, setTimeout, clearTimeout } from 'k6/timers';
import { check } from 'k6';

export const options = { vus: 1, iterations: 2 };

export default function () {
  const log = [];
  let n = 0;
  const iv = setInterval(() => {
    n++;
    log.push('i' + n);
    if (n === 3) clearInterval(iv);
  }, 10);
  const once = setTimeout(() => {
    log.push('t');
    clearTimeout(once);
  }, 250);
  setTimeout(() => {
    check(log, { 'the interval stopped itself after three runs': (l) => l.join(',') === 'i1,i2,i3,t' });
  }, 400);

  const url = __ENV.BASE.replace('http://', 'ws://') + '/ws/echo';
  const ws = new WebSocket(url);
  let sent = 0;
  let echoes = 0;
  ws.onopen = () => {
    const ticker = setInterval(() => {
      sent++;
      ws.send('tick ' + sent);
      if (sent === 3) clearInterval(ticker);
    }, 20);
  };
  ws.onmessage = () => {
    echoes++;
    if (echoes === 3) ws.close();
  };
  ws.onclose = () => {
    check(sent, { 'the socket ticker stopped itself': (s) => s === 3 && echoes === 3 });
  };
}
