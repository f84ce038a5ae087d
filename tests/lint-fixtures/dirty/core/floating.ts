// Breaks @typescript-eslint/no-floating-promises: a failure here would vanish unseen.
const save = async (): Promise<void> => undefined;

export const handle = (): void => {
  save();
};
