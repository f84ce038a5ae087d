// Breaks the ESLint side of the rule: a web framework in the core.
import express from 'express';

export const app = express();
