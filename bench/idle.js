// k6 twin of idle.rhai.
import { sleep } from 'k6';
export default function () {
  sleep(1.0);
}
