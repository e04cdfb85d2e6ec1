/** The call record schemas live in the shared contract; storage uses them from there. */
export * from '../../../shared/call-record';
