/** One page of a listing; pass `nextCursor` back as `cursor` for the next. Absent when there is no more. */
export interface Page<T> {
  items: T[];
  nextCursor?: string;
}

export interface PageRequest {
  cursor?: string;
  /** At most this many items (default 50, at most 1000). */
  limit?: number;
}
