// Loaded by mocha before any spec (.mocharc.json "require").
import 'reflect-metadata';
process.env['NODE_ENV'] ??= 'test';
import { installConformanceHook } from './conformance-hook.js';

// Every response the tests see through supertest must match the app's OpenAPI document.
installConformanceHook();
