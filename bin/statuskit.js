#!/usr/bin/env node
import { shell } from '../dist/cli/shell.js';

await shell();
