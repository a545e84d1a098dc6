// Runs the CLI from source (tests, development); bin/statuskit.js runs the built copy.
import { shell } from './shell.ts';

await shell();
