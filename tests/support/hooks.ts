// Loaded by mocha before any spec (.mocharc.json "require").
import 'reflect-metadata';
process.env['NODE_ENV'] ??= 'test';
