/** A filter the parser or evaluator cannot accept. The service answers 400 with scimType `invalidFilter`. */
export class ScimFilterError extends Error {
  readonly scimType = 'invalidFilter' as const;
  /** 0-based offset into the filter text where the problem was found (-1 when not tied to a position). */
  readonly position: number;

  constructor(message: string, position = -1) {
    super(message);
    this.name = 'ScimFilterError';
    this.position = position;
  }
}

/** A PATCH `path` that does not parse. The service answers 400 with scimType `invalidPath`. */
export class ScimPathError extends Error {
  readonly scimType = 'invalidPath' as const;
  readonly position: number;

  constructor(message: string, position = -1) {
    super(message);
    this.name = 'ScimPathError';
    this.position = position;
  }
}
