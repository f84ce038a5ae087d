export const fromOtherAdapter = (): string => 'b';
