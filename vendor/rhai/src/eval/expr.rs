//! Module defining functions for evaluating an expression.

use super::{Caches, EvalContext, GlobalRuntimeState, Target};
use crate::ast::Expr;
use crate::packages::string_basic::{print_with_func_raw, FUNC_TO_STRING};
use crate::types::dynamic::AccessMode;
use crate::{Dynamic, Engine, RhaiResult, RhaiResultOf, Scope, ERR};
#[cfg(feature = "no_std")]
use std::prelude::v1::*;
use std::{convert::TryInto, fmt::Write, num::NonZeroUsize};

impl Engine {
    /// Search for a module within an imports stack.
    #[cfg(not(feature = "no_module"))]
    #[inline]
    #[must_use]
    pub(crate) fn search_imports(
        &self,
        global: &GlobalRuntimeState,
        namespace: &crate::module::Namespace,
    ) -> Option<crate::SharedModule> {
        debug_assert!(!namespace.is_empty());

        let root = namespace.root();

        // Qualified - check if the root module is directly indexed
        if !global.always_search_scope {
            if let Some(index) = namespace.index {
                let offset = global.num_imports() - index.get();

                if let m @ Some(_) = global.get_shared_import(offset) {
                    return m;
                }
            }
        }

        // Do a text-match search if the index doesn't work
        global.find_import(root).map_or_else(
            || self.global_sub_modules.get(root).cloned(),
            |offset| global.get_shared_import(offset),
        )
    }
    /// Search for a variable within the scope
    ///
    /// # Panics
    ///
    /// Panics if `expr` is not [`Expr::Variable`].
    pub(crate) fn search_scope_only<'s>(
        &self,
        global: &mut GlobalRuntimeState,
        caches: &mut Caches,
        scope: &'s mut Scope,
        this_ptr: Option<&'s mut Dynamic>,
        expr: &Expr,
    ) -> RhaiResultOf<Target<'s>> {
        let (var_name, index) = match expr {
            // Check if the variable is `this`
            Expr::ThisPtr(..) => unreachable!("Expr::ThisPtr should have been handled outside"),

            // No index if always search scope
            Expr::Variable(v, ..) if global.always_search_scope => (&v.1, 0),

            // Embedded index - short (u8)
            Expr::Variable(v, Some(i), ..) => (&v.1, i.get() as usize),
            // Embedded index - long (usize)
            Expr::Variable(v, None, ..) => {
                #[cfg(not(feature = "no_module"))]
                debug_assert!(v.2.is_empty(), "variable should not be namespace-qualified");
                (&v.1, v.0.map_or(0, NonZeroUsize::get))
            }

            _ => unreachable!("Expr::Variable expected but gets {:?}", expr),
        };

        // Check the variable resolver, if any
        if let Some(ref resolve_var) = self.resolve_var {
            let orig_scope_len = scope.len();

            let context = EvalContext::new(self, global, caches, scope, this_ptr);
            let resolved_var = resolve_var(var_name, index, context);

            if orig_scope_len != scope.len() {
                // The scope is changed, always search from now on
                global.always_search_scope = true;
            }

            match resolved_var {
                Ok(Some(mut result)) => {
                    result.set_access_mode(AccessMode::ReadOnly);
                    return Ok(result.into());
                }
                Ok(None) => (),
                Err(err) => return Err(err.fill_position(expr.position())),
            }
        }

        // Read it from the scope
        if let Some(scope_index) = (index > 0)
            .then_some(scope.len() - index)
            .or_else(|| scope.search(var_name))
        {
            return scope.get_mut_by_index(scope_index).try_into();
        }

        // Search constants in global modules
        if let Some(val) = self.global_modules.iter().find_map(|m| m.get_var(var_name)) {
            return Ok(val.into());
        }

        // Finally, see if it is a script function name and return a function pointer
        #[cfg(not(feature = "no_function"))]
        if let Some(func) = global
            .lib
            .iter()
            .flat_map(|m| m.iter_fn())
            .filter(|(f, _)| f.is_script())
            .filter(|(_, meta)| meta.name == var_name.as_str())
            .map(|(f, _)| f)
            .next()
        {
            let fn_def = func.get_script_fn_def().unwrap();
            let val: Dynamic = crate::FnPtr {
                name: var_name.clone(),
                curry: <_>::default(),
                typ: crate::types::fn_ptr::FnPtrType::Script {
                    num_params: fn_def.params.len(),
                    hash: crate::calc_fn_hash(None, &fn_def.name, fn_def.params.len()),
                },
            }
            .into();
            return Ok(val.into());
        }

        Err(ERR::ErrorVariableNotFound(var_name.to_string(), expr.position()).into())
    }
    /// Search for a variable within the scope or within imports,
    /// depending on whether the variable name is namespace-qualified.
    pub(crate) fn search_namespace<'s>(
        &self,
        global: &mut GlobalRuntimeState,
        caches: &mut Caches,
        scope: &'s mut Scope,
        this_ptr: Option<&'s mut Dynamic>,
        expr: &Expr,
    ) -> RhaiResultOf<Target<'s>> {
        match expr {
            Expr::Variable(_, Some(_), _) => {
                self.search_scope_only(global, caches, scope, this_ptr, expr)
            }
            Expr::Variable(v, None, ..) => match &**v {
                // Qualified variable access
                #[cfg(not(feature = "no_module"))]
                (_, var_name, ns, hash_var) if !ns.is_empty() => {
                    // foo:bar::baz::VARIABLE
                    if let Some(module) = self.search_imports(global, ns) {
                        return module.get_qualified_var(*hash_var).map_or_else(
                            || {
                                let sep = crate::engine::NAMESPACE_SEPARATOR;

                                Err(ERR::ErrorVariableNotFound(
                                    format!("{ns}{sep}{var_name}"),
                                    ns.position(),
                                )
                                .into())
                            },
                            |mut target| {
                                // Module variables are constant
                                target.set_access_mode(AccessMode::ReadOnly);
                                Ok(target.into())
                            },
                        );
                    }

                    // global::VARIABLE
                    #[cfg(not(feature = "no_function"))]
                    if ns.path.len() == 1 && ns.root() == crate::engine::KEYWORD_GLOBAL {
                        if let Some(ref constants) = global.constants {
                            if let Some(value) = crate::func::locked_write(constants)
                                .unwrap()
                                .get_mut(var_name.as_str())
                            {
                                let mut target: Target = value.clone().into();
                                // Module variables are constant
                                target.as_mut().set_access_mode(AccessMode::ReadOnly);
                                return Ok(target);
                            }
                        }

                        let sep = crate::engine::NAMESPACE_SEPARATOR;

                        return Err(ERR::ErrorVariableNotFound(
                            format!("{ns}{sep}{var_name}"),
                            ns.position(),
                        )
                        .into());
                    }

                    Err(ERR::ErrorModuleNotFound(ns.to_string(), ns.position()).into())
                }

                // Normal variable access
                _ => self.search_scope_only(global, caches, scope, this_ptr, expr),
            },
            _ => unreachable!("Expr::Variable expected but gets {:?}", expr),
        }
    }
    /// Evaluate an expression.
    #[allow(unused_mut)]
    pub(crate) fn eval_expr(
        &self,
        global: &mut GlobalRuntimeState,
        caches: &mut Caches,
        scope: &mut Scope,
        mut this_ptr: Option<&mut Dynamic>,
        expr: &Expr,
    ) -> RhaiResult {
        self.track_operation(global, expr.position())?;

        #[cfg(feature = "debugging")]
        let reset = self.dbg_reset(global, caches, scope, this_ptr.as_deref_mut(), expr)?;
        #[cfg(feature = "debugging")]
        defer! { global if Some(reset) => move |g| g.debugger_mut().reset_status(reset) }

        // Constants
        let is_simple_constant = match expr {
            Expr::DynamicConstant(..)
            | Expr::IntegerConstant(..)
            | Expr::CharConstant(..)
            | Expr::StringConstant(..)
            | Expr::BoolConstant(..)
            | Expr::Unit(..) => true,
            #[cfg(not(feature = "no_float"))]
            Expr::FloatConstant(..) => true,
            _ => false,
        };
        if is_simple_constant {
            if let Some(value) = expr.get_literal_value(Some(global)) {
                return Ok(value);
            }
        }

        // Other expressions
        match expr {
            Expr::FnCall(x, pos) => {
                self.eval_fn_call_expr(global, caches, scope, this_ptr, x, *pos)
            }

            Expr::ThisPtr(var_pos) => this_ptr
                .ok_or_else(|| ERR::ErrorUnboundThis(*var_pos).into())
                .cloned(),

            Expr::Variable(..) => self
                .search_namespace(global, caches, scope, this_ptr, expr)
                .map(Target::take_or_clone),

            // rload: these arms are evaluated out of line (RLOAD-PATCH.md)
            Expr::InterpolatedString(..) => self.eval_expr_interpolated(global, caches, scope, this_ptr, expr),
            #[cfg(not(feature = "no_index"))]
            Expr::Array(..) => self.eval_expr_array(global, caches, scope, this_ptr, expr),
            #[cfg(not(feature = "no_object"))]
            Expr::Map(..) => self.eval_expr_map(global, caches, scope, this_ptr, expr),
            Expr::And(..) | Expr::Or(..) | Expr::Coalesce(..) => self.eval_expr_logic(global, caches, scope, this_ptr, expr),
            #[cfg(not(feature = "no_custom_syntax"))]
            Expr::Custom(..) => self.eval_expr_custom(global, caches, scope, this_ptr, expr),

            Expr::Stmt(x) => {
                self.eval_stmt_block(global, caches, scope, this_ptr, x.statements(), true)
            }

            #[cfg(not(feature = "no_index"))]
            Expr::Index(..) => {
                self.eval_dot_index_chain(global, caches, scope, this_ptr, expr, None)
            }

            #[cfg(not(feature = "no_object"))]
            Expr::Dot(..) => self.eval_dot_index_chain(global, caches, scope, this_ptr, expr, None),

            #[allow(unreachable_patterns)]
            _ => unreachable!("expression cannot be evaluated: {:?}", expr),
        }
    }

    /// Evaluate an interpolated string: an arm of [`eval_expr`][Engine::eval_expr] kept out of line, so that its
    /// locals do not enlarge the frame of every expression evaluated (rload, RLOAD-PATCH.md).
    #[inline(never)]
    #[allow(unused_mut)]
    fn eval_expr_interpolated(
        &self,
        global: &mut GlobalRuntimeState,
        caches: &mut Caches,
        scope: &mut Scope,
        mut this_ptr: Option<&mut Dynamic>,
        expr: &Expr,
    ) -> RhaiResult {
        match expr {
                Expr::InterpolatedString(x, _) => {
                    let mut concat = crate::new_smart_string();

                    for expr in &**x {
                        let item = &mut self
                            .eval_expr(global, caches, scope, this_ptr.as_deref_mut(), expr)?
                            .flatten();
                        let pos = expr.position();

                        if item.is_string() {
                            write!(concat, "{item}").unwrap();
                        } else {
                            let display =
                                print_with_func_raw(self, global, caches, FUNC_TO_STRING, item, pos);
                            write!(concat, "{display}").unwrap();
                        }

                        #[cfg(not(feature = "unchecked"))]
                        self.throw_on_size((0, 0, concat.len()))
                            .map_err(|err| err.fill_position(pos))?;
                    }

                    Ok(self.get_interned_string(concat).into())
                }

            _ => unreachable!("expression cannot be evaluated here: {:?}", expr),
        }
    }

    /// Evaluate an array literal: an arm of [`eval_expr`][Engine::eval_expr] kept out of line, so that its
    /// locals do not enlarge the frame of every expression evaluated (rload, RLOAD-PATCH.md).
    #[inline(never)]
    #[allow(unused_mut)]
    fn eval_expr_array(
        &self,
        global: &mut GlobalRuntimeState,
        caches: &mut Caches,
        scope: &mut Scope,
        mut this_ptr: Option<&mut Dynamic>,
        expr: &Expr,
    ) -> RhaiResult {
        match expr {
                #[cfg(not(feature = "no_index"))]
                Expr::Array(x, ..) => {
                    let mut array = crate::Array::with_capacity(x.len());

                    #[cfg(not(feature = "unchecked"))]
                    let mut total_data_sizes = (0, 0, 0);

                    for item_expr in &**x {
                        let value = self
                            .eval_expr(global, caches, scope, this_ptr.as_deref_mut(), item_expr)?
                            .flatten();

                        #[cfg(not(feature = "unchecked"))]
                        if self.has_data_size_limit() {
                            let val_sizes = crate::eval::calc_data_sizes(&value, true);

                            total_data_sizes = (
                                total_data_sizes.0 + val_sizes.0 + 1,
                                total_data_sizes.1 + val_sizes.1,
                                total_data_sizes.2 + val_sizes.2,
                            );
                            self.throw_on_size(total_data_sizes)
                                .map_err(|err| err.fill_position(item_expr.position()))?;
                        }

                        array.push(value);
                    }

                    Ok(Dynamic::from_array(array))
                }

            _ => unreachable!("expression cannot be evaluated here: {:?}", expr),
        }
    }

    /// Evaluate an object map literal: an arm of [`eval_expr`][Engine::eval_expr] kept out of line, so that its
    /// locals do not enlarge the frame of every expression evaluated (rload, RLOAD-PATCH.md).
    #[inline(never)]
    #[allow(unused_mut)]
    fn eval_expr_map(
        &self,
        global: &mut GlobalRuntimeState,
        caches: &mut Caches,
        scope: &mut Scope,
        mut this_ptr: Option<&mut Dynamic>,
        expr: &Expr,
    ) -> RhaiResult {
        match expr {
                #[cfg(not(feature = "no_object"))]
                Expr::Map(x, ..) => {
                    let mut map = x.1 .0.clone();

                    #[cfg(not(feature = "unchecked"))]
                    let mut total_data_sizes = (0, 0, 0);

                    for (key, value_expr) in &x.0 {
                        let value = self
                            .eval_expr(global, caches, scope, this_ptr.as_deref_mut(), value_expr)?
                            .flatten();

                        #[cfg(not(feature = "unchecked"))]
                        if self.has_data_size_limit() {
                            let delta = crate::eval::calc_data_sizes(&value, true);
                            total_data_sizes = (
                                total_data_sizes.0 + delta.0,
                                total_data_sizes.1 + delta.1 + 1,
                                total_data_sizes.2 + delta.2,
                            );
                            self.throw_on_size(total_data_sizes)
                                .map_err(|err| err.fill_position(value_expr.position()))?;
                        }

                        *map.get_mut(key.as_str()).unwrap() = value;
                    }

                    Ok(Dynamic::from_map(map))
                }

            _ => unreachable!("expression cannot be evaluated here: {:?}", expr),
        }
    }

    /// Evaluate `&&`, `||` or `??`: an arm of [`eval_expr`][Engine::eval_expr] kept out of line, so that its
    /// locals do not enlarge the frame of every expression evaluated (rload, RLOAD-PATCH.md).
    #[inline(never)]
    #[allow(unused_mut)]
    fn eval_expr_logic(
        &self,
        global: &mut GlobalRuntimeState,
        caches: &mut Caches,
        scope: &mut Scope,
        mut this_ptr: Option<&mut Dynamic>,
        expr: &Expr,
    ) -> RhaiResult {
        match expr {
                Expr::And(x, ..) => {
                    let mut value = Dynamic::TRUE;

                    for expr in &***x {
                        if !self
                            .eval_expr(global, caches, scope, this_ptr.as_deref_mut(), expr)?
                            .as_bool()
                            .map_err(|typ| self.make_type_mismatch_err::<bool>(typ, expr.position()))?
                        {
                            value = Dynamic::FALSE;
                            break;
                        }
                    }

                    Ok(value)
                }

                Expr::Or(x, ..) => {
                    let mut value = Dynamic::FALSE;

                    for expr in &***x {
                        if self
                            .eval_expr(global, caches, scope, this_ptr.as_deref_mut(), expr)?
                            .as_bool()
                            .map_err(|typ| self.make_type_mismatch_err::<bool>(typ, expr.position()))?
                        {
                            value = Dynamic::TRUE;
                            break;
                        }
                    }

                    Ok(value)
                }

                Expr::Coalesce(x, ..) => {
                    let mut value = Dynamic::UNIT;

                    for expr in &***x {
                        value = self.eval_expr(global, caches, scope, this_ptr.as_deref_mut(), expr)?;

                        if !value.is_unit() {
                            break;
                        }
                    }
                    Ok(value)
                }

            _ => unreachable!("expression cannot be evaluated here: {:?}", expr),
        }
    }

    /// Evaluate a custom syntax expression: an arm of [`eval_expr`][Engine::eval_expr] kept out of line, so that its
    /// locals do not enlarge the frame of every expression evaluated (rload, RLOAD-PATCH.md).
    #[inline(never)]
    #[allow(unused_mut)]
    fn eval_expr_custom(
        &self,
        global: &mut GlobalRuntimeState,
        caches: &mut Caches,
        scope: &mut Scope,
        mut this_ptr: Option<&mut Dynamic>,
        expr: &Expr,
    ) -> RhaiResult {
        match expr {
                #[cfg(not(feature = "no_custom_syntax"))]
                Expr::Custom(custom, pos) => {
                    let expressions: crate::StaticVec<_> =
                        custom.inputs.iter().map(Into::into).collect();
                    // The first token acts as the custom syntax's key
                    let key_token = custom.tokens.first().unwrap();
                    // The key should exist, unless the AST is compiled in a different Engine
                    let custom_def = self.custom_syntax.get(key_token.as_str()).ok_or_else(|| {
                        Box::new(ERR::ErrorCustomSyntax(
                            format!("Invalid custom syntax prefix: {key_token}"),
                            custom.tokens.iter().map(<_>::to_string).collect(),
                            *pos,
                        ))
                    })?;
                    let mut context = EvalContext::new(self, global, caches, scope, this_ptr);

                    (custom_def.func)(&mut context, &expressions, &custom.state)
                        .and_then(|r| self.check_data_size(r, expr.start_position()))
                }

            _ => unreachable!("expression cannot be evaluated here: {:?}", expr),
        }
    }
}
