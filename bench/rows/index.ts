/**
 * The benchmark rows, in the order they run and are reported. A row is one module exporting a BenchRow;
 * adding one is adding it here.
 */
import type { BenchRow } from '../harness';
import { largeCopy } from './large-copy';
import { packaging } from './packaging';
import { pitRestore } from './pit-restore';
import { restorePlanning } from './restore-planning';
import { smallCopy } from './small-copy';
import { verifyRow } from './verify';

export const ROWS: readonly BenchRow[] = [smallCopy, largeCopy, pitRestore, restorePlanning, verifyRow, packaging];
