import { Greet } from '../../core/greet.js';
import type { Clock } from '../../core/clock.js';

export const greetOnConsole = (clock: Clock): void => console.log(new Greet(clock).execute('world'));
