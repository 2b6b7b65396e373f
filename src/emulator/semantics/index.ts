// Multi-record platform operations reached through the SOAP API.
export { mergeRecords } from './merge';
export { convertLeads } from './convert-lead';
