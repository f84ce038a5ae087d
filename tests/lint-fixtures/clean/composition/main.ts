import { SystemClock } from '../adapters/a/system-clock.js';
import { greetOnConsole } from '../adapters/b/console-greeter.js';

greetOnConsole(new SystemClock());
