// A variable whose name says it holds a secret never has its value printed, whatever
// else is wrong with it. Matching on the name is deliberately broad: a false positive
// only hides a value from an error message.
const SECRET_NAME = /PASSWORD|PASSWD|SECRET|TOKEN|KEY|CREDENTIAL|PRIVATE/i;

export function isSecretName(name: string): boolean {
  return SECRET_NAME.test(name);
}

// URLs such as postgres://user:password@host/db carry credentials under a name that
// does not look secret; the password part is masked wherever a value is shown.
export function maskUrlCredentials(text: string): string {
  return text.replace(/(\/\/[^/\s:@]*):[^/\s@]*@/g, '$1:***@');
}
