import { run } from './journeys.js';
const size = (process.argv[2] ?? 'small') as 'small' | 'large';
await run({ size, emit: (f) => console.log(JSON.stringify(f)) });
