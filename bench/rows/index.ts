/**
 * The benchmark rows, in the order they run and are reported. A row is one module exporting a BenchRow;
 * adding one (row 5, verify) is adding it here.
 */
import type { BenchRow } from '../harness';
import { largeCopy } from './large-copy';
import { packaging } from './packaging';
import { pitRestore } from './pit-restore';
import { restorePlanning } from './restore-planning';
import { smallCopy } from './small-copy';

export const ROWS: readonly BenchRow[] = [smallCopy, largeCopy, pitRestore, restorePlanning, packaging];
