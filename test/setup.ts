// Every test process runs on the CPU reference backend, chosen here as the CLI chooses it.
import { chooseBackend } from '../src/backend/choose.ts';

chooseBackend('cpu');
