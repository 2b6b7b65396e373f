#!/usr/bin/env node
// The `tandem` command (`npx tandem …`): loads the TypeScript CLI through tsx.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli.ts');
