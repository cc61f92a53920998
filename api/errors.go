package api

import (
	"encoding/json"
	"net/http"
)

// Failure is an error answer of the API: the HTTP status and the JSON body
// {"error": Code, "message": Message[, "variants": Variants]}.
type Failure struct {
	Status int
	Code   string
	// Message is a string, or a []string for the model-state form of "params" (SPEC 4.8).
	Message any
	// Variants is sent with portalNameExist only.
	Variants []string
}

// Every error answer the API gives, with its status and its exact message (SPEC 2A, 3.2, 8;
// DECISIONS D3, D4, D9). Nothing else writes an error code or a message.
var (
	failPortalNameEmpty     = Failure{Status: 400, Code: "portalNameEmpty", Message: "PortalName is required"}
	failTooShort            = Failure{Status: 400, Code: "tooShortError", Message: "Portal name is too short"}
	failPortalNameIncorrect = Failure{Status: 400, Code: "portalNameIncorrect", Message: "Unallowable symbols in portalName"}
	failPortalNameExist     = Failure{Status: 400, Code: "portalNameExist", Message: "Portal already exists"}
	failPortalNameNotFound  = Failure{Status: 400, Code: "portalNameNotFound", Message: "Portal not found"}
	failPassPolicy          = Failure{Status: 400, Code: "passPolicyError", Message: "Password is incorrect"}
	failNameRequired        = Failure{Status: 400, Code: "error", Message: "name is required"}
	failNameIncorrect       = Failure{Status: 400, Code: "error", Message: "name is incorrect"}
	failTooMuchAttempts     = Failure{Status: 400, Code: "tooMuchAttempts", Message: "Too much attempts already"}
	failRecaptchaInvalid    = Failure{Status: 400, Code: "recaptchaInvalid", Message: "Recaptcha is invalid"}
	failPortalsCountTooMuch = Failure{Status: 400, Code: "portalsCountTooMuch", Message: "Too much portals registered already"}
	failKeyRequired         = Failure{Status: 400, Code: "params", Message: "Key is required"}
	failValueEmpty          = Failure{Status: 400, Code: "params", Message: "Value is empty"}
	// failValidateBroken answers validateportalname when the store cannot be asked: 400, as
	// the real server answers its unexpected exceptions there (SPEC 2A.5 step 6).
	failValidateBroken = Failure{Status: 400, Code: "error", Message: "The portal name could not be checked"}
	failRegisterBroken = Failure{Status: 500, Code: "registerNewTenantError", Message: "The portal could not be created"}
	failInternal       = Failure{Status: 500, Code: "error", Message: "Internal error"}

	failAuthRequired = Failure{Status: 403, Code: "authorization", Message: "Authorization is requered"}
	failAuthScheme   = Failure{Status: 403, Code: "authorization", Message: "Authorization scheme unknown"}
	failAuthInvalid  = Failure{Status: 403, Code: "authorization", Message: "Authorization invalid"}
	failAuthExpired  = Failure{Status: 403, Code: "authorization", Message: "Authorization is expired"}
	failAuthDecode   = Failure{Status: 500, Code: "authorization", Message: "Authorization date is not a valid yyyyMMddHHmmss UTC time"}

	failNotFound       = Failure{Status: http.StatusNotFound, Code: "error", Message: "No HTTP resource was found that matches the request URI"}
	failMethod         = Failure{Status: http.StatusMethodNotAllowed, Code: "error", Message: "The requested resource does not support this http method"}
	failMediaType      = Failure{Status: http.StatusUnsupportedMediaType, Code: "error", Message: "The request body must be application/json or application/x-www-form-urlencoded"}
	failCharset        = Failure{Status: http.StatusUnsupportedMediaType, Code: "error", Message: "The request body's charset is not supported"}
	failBodyTooLarge   = Failure{Status: http.StatusRequestEntityTooLarge, Code: "error", Message: "The request body is too large"}
	failBodyUnreadable = Failure{Status: 400, Code: "params", Message: []string{"The request body could not be read"}}
	failJSONInvalid    = Failure{Status: 400, Code: "params", Message: []string{"The request body is not a valid JSON object"}}
	failFormInvalid    = Failure{Status: 400, Code: "params", Message: []string{"The request body is not valid form data"}}
)

// unreadableNameFailure answers a validateportalname body whose portalName is no string: 400
// "error" with the reason, as the real server answers what it cannot read there (SPEC 2A.5).
func unreadableNameFailure(reason string) Failure {
	return Failure{Status: 400, Code: "error", Message: reason}
}

// fixedKey names a failure whose message is fixed text.
type fixedKey struct{ code, message string }

// fixedBodies holds the encoded JSON of the table's fixed failures, which are most answers a
// refused request gets: encoded once here, read-only afterwards. Messages built per request
// (an upstream's, a field's reason) are not in it and are encoded each time.
var fixedBodies = map[fixedKey][]byte{}

func init() {
	for _, f := range []Failure{failPortalNameEmpty, failTooShort, failPortalNameIncorrect, failPortalNameNotFound,
		failPassPolicy, failNameRequired, failNameIncorrect, failTooMuchAttempts, failRecaptchaInvalid,
		failPortalsCountTooMuch, failKeyRequired, failValueEmpty, failValidateBroken, failRegisterBroken, failInternal,
		failAuthRequired, failAuthScheme, failAuthInvalid, failAuthExpired, failAuthDecode, failNotFound, failMethod,
		failMediaType, failCharset, failBodyTooLarge} {
		msg := f.Message.(string)
		enc, err := json.Marshal(errorBody{Error: f.Code, Message: msg})
		if err != nil {
			panic(err) // fixed strings always encode
		}
		fixedBodies[fixedKey{f.Code, msg}] = append(enc, '\n')
	}
}

// paramsFailure is the model-state answer: one message per invalid field, in field order.
func paramsFailure(messages []string) Failure {
	return Failure{Status: 400, Code: "params", Message: messages}
}

// withVariants returns portalNameExist carrying the variants.
func withVariants(variants []string) Failure {
	f := failPortalNameExist
	if variants == nil {
		variants = []string{}
	}
	f.Variants = variants
	return f
}
