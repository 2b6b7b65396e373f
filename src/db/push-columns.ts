/** The columns Tandem adds to every two-way data table (by src/db/capture-triggers.ts). */

/** Columns Tandem adds to every two-way table, like Heroku Connect's `_hc_lastop` / `_hc_err`. */
export const PUSH_COLUMNS = {
  /** The latest permanent push error of the row (`CODE: message`), null once it syncs. */
  error: '_tandem_error',
  /** The Salesforce record this row was linked to instead of being created (match by email). */
  linkedTo: '_tandem_linked_to',
} as const;
