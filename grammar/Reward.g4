// The grammar of `.reward` files. The reference is docs/language.md.
//
// Newlines are not significant: every statement starts with a keyword or `name =`, so the
// parser always knows where one ends. Semicolons are accepted and ignored.
grammar Reward;

file_ : topDecl* EOF ;

topDecl
  : importDecl
  | itemDecl
  | fnDecl
  | letDecl
  | rewardDecl
  | judgeDecl
  | testDecl
  ;

importDecl : IMPORT (dottedName | string) (AS ID)? SEMI? ;
dottedName : ID (DOT ID)* ;

itemDecl : ITEM LBRACE (field (COMMA field)* COMMA?)? RBRACE ;
field    : ID COLON type ;

type     : ID (LT type GT)? QUESTION? ;

fnDecl   : FN ID LPAREN (param (COMMA param)* COMMA?)? RPAREN (ARROW type)? fnBody ;
param    : ID COLON type (ASSIGN expr)? ;
// A block body names its result with `return`: without it, `let a = f` followed by a result
// `(x)` would read as the call `f(x)`, and the parser would need unbounded lookahead to decide.
fnBody   : ASSIGN expr SEMI?
         | LBRACE letDecl* RETURN expr SEMI? RBRACE
         ;

letDecl  : LET ID (COLON type)? ASSIGN expr SEMI? ;

rewardDecl : REWARD ID LBRACE rewardStmt* RBRACE ;
rewardStmt
  : letDecl                                                  # RewardLet
  // A monitor is computed and logged like a component but never enters the total.
  | kind=(COMPONENT | MONITOR) ID ASSIGN expr (IN expr RANGE expr)? SEMI?  # RewardComponent
  | TOTAL ASSIGN expr SEMI?                                  # RewardTotal
  | ID ASSIGN expr SEMI?                                     # RewardSetting
  ;

judgeDecl : JUDGE ID (LPAREN (param (COMMA param)* COMMA?)? RPAREN)? LBRACE judgeSetting* RBRACE ;
judgeSetting : ID ASSIGN expr (RANGE expr)? SEMI? ;

testDecl : TEST ID string LBRACE testStmt* RBRACE ;
testStmt
  : JUDGE ID ASSIGN expr SEMI?                # TestJudge
  | EXPECT expr (WITHIN expr)? SEMI?          # TestExpect
  | ITEM ASSIGN expr SEMI?                    # TestItem
  | ID ASSIGN expr SEMI?                      # TestInput
  ;

// Alternatives listed first bind tighter.
expr
  : primary                                                      # PrimaryExpr
  | expr DOT ID                                                  # MemberExpr
  | expr LBRACK expr RBRACK                                      # IndexExpr
  | expr LPAREN (arg (COMMA arg)* COMMA?)? RPAREN                # CallExpr
  | op=(MINUS | BANG) expr                                       # UnaryExpr
  | expr op=(STAR | SLASH | PERCENT) expr                        # MulExpr
  | expr op=(PLUS | MINUS) expr                                  # AddExpr
  | <assoc=right> expr COALESCE expr                             # CoalesceExpr
  | expr IS NOT? NONE                                            # IsNoneExpr
  | expr op=(LT | LE | GT | GE | EQ | NE | APPROX) expr           # CompareExpr
  | expr AND expr                                                # AndExpr
  | expr OR expr                                                 # OrExpr
  | IF expr THEN expr ELSE expr                                  # IfExpr
  ;

arg : (ID ASSIGN)? expr ;

primary
  : NUMBER                                                       # NumberLit
  | string                                                       # StringLit
  | (TRUE | FALSE)                                               # BoolLit
  | NONE                                                         # NoneLit
  | ID                                                           # NameRef
  | ITEM                                                         # ItemRef
  | TOTAL                                                        # TotalRef
  | LPAREN expr RPAREN                                           # ParenExpr
  | LBRACK (expr (COMMA expr)* COMMA?)? RBRACK                   # ListLit
  | LBRACE (objField (COMMA objField)* COMMA?)? RBRACE           # ObjectLit
  ;

objField : (ID | string) COLON expr ;

string : STRING | RAW_STRING | TRIPLE_STRING ;

// ---- lexer ----
IMPORT    : 'import' ;
AS        : 'as' ;
ITEM      : 'item' ;
FN        : 'fn' ;
LET       : 'let' ;
RETURN    : 'return' ;
REWARD    : 'reward' ;
COMPONENT : 'component' ;
MONITOR   : 'monitor' ;
TOTAL     : 'total' ;
JUDGE     : 'judge' ;
TEST      : 'test' ;
EXPECT    : 'expect' ;
WITHIN    : 'within' ;
IF        : 'if' ;
THEN      : 'then' ;
ELSE      : 'else' ;
IS        : 'is' ;
NOT       : 'not' ;
IN        : 'in' ;
TRUE      : 'true' ;
FALSE     : 'false' ;
NONE      : 'none' ;

ARROW    : '->' ;
RANGE    : '..' ;
COALESCE : '??' ;
AND      : '&&' ;
OR       : '||' ;
EQ       : '==' ;
NE       : '!=' ;
LE       : '<=' ;
GE       : '>=' ;
APPROX   : '~=' | '\u2248' ;
LT       : '<' ;
GT       : '>' ;
ASSIGN   : '=' ;
PLUS     : '+' ;
MINUS    : '-' ;
STAR     : '*' ;
SLASH    : '/' ;
PERCENT  : '%' ;
BANG     : '!' ;
QUESTION : '?' ;
DOT      : '.' ;
COMMA    : ',' ;
COLON    : ':' ;
SEMI     : ';' ;
LPAREN   : '(' ;
RPAREN   : ')' ;
LBRACK   : '[' ;
RBRACK   : ']' ;
LBRACE   : '{' ;
RBRACE   : '}' ;

NUMBER : DIGITS ('.' DIGITS)? ([eE] [+-]? DIGITS)? ;
fragment DIGITS : [0-9]+ ;

ID : [a-zA-Z_] [a-zA-Z0-9_]* ;

// Escapes are decoded (and checked) when the AST is built.
TRIPLE_STRING : '"""' .*? '"""' ;
RAW_STRING    : 'r"' ~["\r\n]* '"' ;
STRING        : '"' ( '\\' ~[\r\n] | ~["\\\r\n] )* '"' ;

LINE_COMMENT  : '//' ~[\r\n]* -> channel(HIDDEN) ;
BLOCK_COMMENT : '/*' .*? '*/' -> channel(HIDDEN) ;
WS            : [ \t\r\n\u000C]+ -> channel(HIDDEN) ;

// Anything else is one bad character; the parser reports it with its location.
UNTERMINATED_STRING : '"' ( '\\' ~[\r\n] | ~["\\\r\n] )* ;
ERROR_CHAR : . ;
