/** The workflows a Tandem worker registers. This file is the worker's `workflowsPath`. */
export { continuousSyncWorkflow, type ContinuousSyncInput } from './continuous-sync';
export { initialCopyWorkflow, type InitialCopyInput } from './initial-copy';
