import { Greet } from '../../core/greet.js';
import type { Clock } from '../../core/clock.js';
import { stamp } from '../shared/stamp.js';

export const greetOnConsole = (clock: Clock): void => console.log(stamp(clock), new Greet(clock).execute('world'));
